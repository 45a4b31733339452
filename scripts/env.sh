# Sourced by the other scripts: quiet, offline-friendly defaults for Rasa and its libraries.
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
export PATH="$PWD/.venv/bin:$PATH"
MODEL=models/current.tar.gz
