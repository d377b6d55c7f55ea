/**
 * A minimal WebSocket-to-TCP proxy for Neon's serverless driver in front of a local Postgres. Every
 * WebSocket connection is piped, byte for byte, to one fixed Postgres address.
 * Env: WS_PROXY_PORT, WS_PROXY_TARGET (host:port).
 */
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

const port = Number(process.env.WS_PROXY_PORT ?? 6543);
const [targetHost, targetPort] = (process.env.WS_PROXY_TARGET ?? '127.0.0.1:5432').split(':');

const server = new WebSocketServer({ host: '127.0.0.1', port });
server.on('connection', (ws) => {
  const tcp = connect({ host: targetHost, port: Number(targetPort), noDelay: true });
  tcp.on('data', (chunk) => ws.send(chunk));
  tcp.on('close', () => ws.close());
  tcp.on('error', () => ws.close(1011));
  ws.on('message', (data: Buffer) => tcp.write(data));
  ws.on('close', () => tcp.destroy());
  ws.on('error', () => tcp.destroy());
});
server.on('listening', () => console.log(`ws proxy on ${port} -> ${targetHost}:${targetPort}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
