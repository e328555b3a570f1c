#!/bin/bash
# test_system_hub_procs — test_system_hub_kill.sh with the hub as three
# `serve` processes on one PostgreSQL database behind haproxy on 127.0.0.1
# (issue 20): eight devices write and push through haproxy while a random
# hub process is killed with SIGKILL and restarted, at least 20 times;
# afterwards the store holds exactly the union of what the devices
# finalized, every set applied once. TETRAD_LONG=1: 100 kills.
# Uses the tests' PostgreSQL cluster
export TETRAD_HUB_PROCS=3
exec bash "$(dirname "$0")/test_system_hub_kill.sh"
