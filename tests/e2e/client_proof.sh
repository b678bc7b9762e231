#!/usr/bin/env bash
# Client testing proven both ways; see client_proof.py.
exec timeout -s KILL 900 /usr/bin/python3 "$(dirname "$0")/client_proof.py" "${1:?usage: client_proof.sh BUILD_DIR}"
