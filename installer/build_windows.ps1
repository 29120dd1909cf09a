# Build the one-folder bundle, smoke-test the frozen program, then build the installer, on a
# Windows build machine: the same steps as Linux CI (`python3 installer/build.py bundle --smoke`),
# with the versions pinned in installer/constraints.txt. Needs Python 3.11 (py launcher or
# python on PATH) and Inno Setup 6 (iscc.exe on PATH).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
python installer\build.py bundle --smoke
if ($LASTEXITCODE -ne 0) { throw "bundle build or smoke test failed" }
$env:LAC_MONITOR_VERSION = (.\.venv\Scripts\python -c "import lac_monitor; print(lac_monitor.__version__)")
iscc installer\lac_monitor.iss
if ($LASTEXITCODE -ne 0) { throw "iscc failed" }
Write-Host "Installer in installer\Output\LACMonitorSetup-$env:LAC_MONITOR_VERSION.exe"
