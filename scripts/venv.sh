# Sourced by run.sh and test.sh: make .venv hold exactly the given requirements file's packages.
# Reinstalls only when the requirements files change (their hash is kept in .venv).
requirements="$1"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
wanted=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)-$requirements
if [ "$(cat .venv/.installed 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$requirements"
  # Streamlit's frontend compressed once for this Streamlit (gzip, brotli): socialwork/web/precompress.py.
  .venv/bin/python -m socialwork.web.precompress
  echo "$wanted" > .venv/.installed
fi
