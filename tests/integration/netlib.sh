# Sourced by the net and irq integration tests after lib.sh: two network namespaces joined
# by a veth pair, removed on exit (namespaces, qdiscs and rules go with them).
#   make_netpair          sets NS_A NS_B (names), IP_A IP_B (10.X.Y.1/.2), VETH_A VETH_B,
#                         NETNS_A NETNS_B (namespace inode numbers, as BPF sees them)
#   in_a CMD... / in_b CMD...   run a command inside a namespace
need_cmd ip iproute2
_netid=$(( ($$ % 200) + 20 ))

make_netpair() {
  NS_A=wsnet-a-$$; NS_B=wsnet-b-$$
  VETH_A=wsa$$; VETH_B=wsb$$
  IP_A=10.231.$_netid.1; IP_B=10.231.$_netid.2
  ip netns add "$NS_A" || fail "ip netns add failed"
  on_exit "ip netns del $NS_A"
  ip netns add "$NS_B" || fail "ip netns add failed"
  on_exit "ip netns del $NS_B"
  # processes left in the namespaces (servers) die before the namespaces go
  on_exit "ip netns pids $NS_A | xargs -r kill -9; ip netns pids $NS_B | xargs -r kill -9"
  ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B" ||
    fail "creating the veth pair failed"
  in_a ip addr add "$IP_A/24" dev "$VETH_A"
  in_b ip addr add "$IP_B/24" dev "$VETH_B"
  # no IPv6 autoconfiguration chatter: counters then move only with the test's traffic
  in_a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
  in_b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
  in_a ip link set lo up; in_b ip link set lo up
  in_a ip link set "$VETH_A" up; in_b ip link set "$VETH_B" up
  NETNS_A=$(ip netns exec "$NS_A" stat -L -c %i /proc/self/ns/net)
  NETNS_B=$(ip netns exec "$NS_B" stat -L -c %i /proc/self/ns/net)
}
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# A TCP counter of a namespace from /proc/net/snmp ("Tcp" RetransSegs, ActiveOpens...).
tcp_counter() { # ns field
  ip netns exec "$1" awk -v f="$2" '/^Tcp:/ { if (!h) { for (i=1;i<=NF;i++) if ($i==f) c=i; h=1 } else print $c }' /proc/net/snmp
}

# Starts netpair's server in namespace B on PORT (REPLY bytes back, CONNS connections),
# optionally under a command prefix, and waits until it listens.
_servers=0
start_server() { # port reply conns [command prefix, e.g. taskset -c 1]
  # a file per server: a reused one may still say "ready" from the last server when
  # grep reads it before the new server's shell has truncated it
  local out=$TMP/server.$((++_servers)).out i
  ip netns exec "$NS_B" "${@:4}" "$WORKLOADS/netpair" server "$1" "$2" "$3" >"$out" 2>&1 &
  on_exit "kill $! 2>/dev/null"  # ip netns exec (and taskset) exec the server: $! is its PID
  for i in $(seq 1 100); do grep -q ready "$out" 2>/dev/null && return 0; sleep 0.05; done
  fail "netpair server did not start: $(cat "$out")"
}

# Stops a background tracer with SIGINT and waits for it (its last summary flushes).
stop_tracer() { kill -INT "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }
