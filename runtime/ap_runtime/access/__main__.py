from ap_runtime.access.cli import app

app(prog_name="python -m ap_runtime.access")
