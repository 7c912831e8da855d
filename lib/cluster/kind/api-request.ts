// Kubernetes API requests through kind's load balancer, each with a deadline that drops its connection.
//
// kind's HAProxy (TCP mode; kind v0.28.0 pkg/cluster/internal/loadbalancer/config.go: `timeout connect 5000`, no
// `retries`, no `option redispatch`) picks a backend when a connection comes in and keeps it for that connection. A
// connection given to a dead API server (it stays in rotation until its health checks fail, load-balancer.ts) gets a
// connect attempt and HAProxy's default 3 retries, all on that same server (HAProxy 2.6 configuration.txt,
// `retries`: "retried on a server after a failure", another server only with `option redispatch`; the default is
// CONN_RETRIES, 3, include/haproxy/defaults.h): 4 x 5 s, then HAProxy closes it and the client reads "Client
// network socket disconnected before secure TLS connection was established" (20.1 s, measured on the kind twin). A
// request without a deadline holds whatever waits on it that long. So each request gets a deadline; when it passes,
// the request is aborted, which closes its connection, and the caller's next try (client-node opens a connection per
// request) is a new connection, which HAProxy balances to the next server.
export { abortingOn, requestWithDeadline, type RequestOptions } from '../../util/api-deadline.ts';

/** How long one API request may take before its connection is dropped (well under HAProxy's 20 s on a dead backend). */
export const API_REQUEST_TIMEOUT_MS = 5_000;
