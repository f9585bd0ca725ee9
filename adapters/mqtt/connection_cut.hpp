// Cutting the link's own TCP connection from inside Paho's message callback.
//
// Why. Paho C (1.3.12, MQTTProtocol_handlePublishes) sends the PUBACK of a QoS 1 message right
// after Protocol_processPublication returns, whatever our callback did: a messageArrived that
// returns false only makes Paho queue the message in memory (and in its persistence), and the
// PUBACK still goes out; Paho has no manual acknowledgement for MQTT 3.1.1, and Paho C++ always
// returns true. Every Paho call needs the mutex the receive thread holds during the callback, so
// a disconnect cannot be asked for either. The one way to keep the broker from hearing that ack
// is to shut the socket down before the callback returns: the PUBACK write then fails, Paho
// reports the connection lost, and the broker keeps the message (and what follows) in the
// persistent session, to hand over again on the next connect.
//
// The socket is found by its addresses: the link notes which connection to the broker appeared
// when it connected (the pair of local and peer address), and looks that exact pair up again
// in /proc/self/fd when it has to cut, so a descriptor number reused since is never touched.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mend {

// One TCP connection of this process: "address:port" at each end.
struct TcpEnds {
  std::string local;
  std::string peer;
  friend bool operator==(const TcpEnds&, const TcpEnds&) = default;
};

// This process's TCP connections whose peer port is `port`.
std::vector<TcpEnds> tcp_connections_to(int port);

// The one connection in `after` that is not in `before`; nullopt when there is not exactly one.
std::optional<TcpEnds> new_connection(const std::vector<TcpEnds>& before,
                                      const std::vector<TcpEnds>& after);

// Shuts down, both ways, the socket of this process with exactly these ends. False when no such
// socket is open.
bool shut_down_connection(const TcpEnds& ends);

}  // namespace mend
