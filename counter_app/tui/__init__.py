"""The counter's terminal UI (Textual): intake, scan-driven lifecycle, lists and the supervisors' view.

Screens read input, call one desk use case (or the public entry of printing) and show the result. No
SQL here: everything goes through :class:`counter_app.desk.Desk`. Build the app only with
:func:`counter_app.tui.app.make_app`; start it with :func:`counter_app.tui.app.run`.
"""
