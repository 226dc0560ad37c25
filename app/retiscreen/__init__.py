"""RetiScreen: autonomous diabetic-retinopathy screening (research software)."""

__version__ = "0.1.0"
