# Build the one-folder bundle and the installer on a Windows build machine.
# Needs Python 3.11+ and Inno Setup 6 (iscc.exe on PATH).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
python -m venv .venv-build
.\.venv-build\Scripts\python -m pip install --upgrade pip
.\.venv-build\Scripts\python -m pip install ".[pdf]" pyinstaller
.\.venv-build\Scripts\pyinstaller --noconfirm --distpath dist --workpath build installer\lac_monitor.spec
$env:LAC_MONITOR_VERSION = (.\.venv-build\Scripts\python -c "import lac_monitor; print(lac_monitor.__version__)")
iscc installer\lac_monitor.iss
Write-Host "Installer in installer\Output"
