"""The screens of the counsellor console: login, workspace, help and dialogs."""
