"""One module per kiosk page; :mod:`retiscreen.ui.window` wires them into the flow."""
