"""The referral report: PDF rendering, verification codes and printing through CUPS.

- :mod:`~retiscreen.report.pdf` turns a finished :class:`~retiscreen.domain.Screening`
  into PDF bytes (page 1 for the clinic, optional page 2 letter for the patient), with
  :mod:`~retiscreen.report.fonts`, :mod:`~retiscreen.report.layout` and
  :mod:`~retiscreen.report.sections`;
- :mod:`~retiscreen.report.verification` makes each printed report checkable against
  the site's secret;
- :mod:`~retiscreen.report.printing` sends a PDF file to a CUPS queue (the durable
  print queue that retries lives in the store and the service).

Import the module you need: this package imports none of them, so a command that only
prints (or only grades) does not load reportlab.
"""
