#!/bin/bash
# test_system_hub_procs — test_system_hub_kill.sh with the hub as three
# `serve` processes on one PostgreSQL database behind haproxy on 127.0.0.1
# (issue 20): eight devices write and push through haproxy while a random
# hub process is killed with SIGKILL and restarted, 20 times by default;
# afterwards the store holds exactly the union of what the devices
# finalized, every set applied once. TETRAD_LONG=1: 100 kills;
# TETRAD_TEST_SHORT=1: 6 (the sanitizer suite's setting in scripts/test.sh,
# which leaves this test out today: it needs the cluster, label
# integration-pg).
# Uses the tests' PostgreSQL cluster
export TETRAD_HUB_PROCS=3
exec bash "$(dirname "$0")/test_system_hub_kill.sh"
