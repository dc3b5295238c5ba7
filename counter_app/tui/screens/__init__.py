"""The counter's screens: first run, sign-in, intake, dossier, lists, supervisor, and dialogs."""
