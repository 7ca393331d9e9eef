# Sourced by the euicc command-line tests: pass/fail counting and a simulator set up in the
# current directory (development PKI, sim.conf without SMPP). Set `name` before sourcing.
source "$(dirname "${BASH_SOURCE[0]}")/../check_lib.sh"

# euicc_setup SMCTL [extra [factory] lines]
euicc_setup() {
    "$1" pki init pki >/dev/null || { echo "$name: pki init failed"; exit 1; }
    cat >sim.conf <<CONF
db = sim.db
kek_file = sim.kek
control_socket = sim.sock
[log]
level = info
[factory]
ci_cert = pki/ca.crt
eum_key = pki/eum1.key
eum_cert = pki/eum1.crt
${2:-}
[smpp]
enabled = no
CONF
}
