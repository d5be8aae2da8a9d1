from ap_runtime.privacy.cli import app

app(prog_name="python -m ap_runtime.privacy")
