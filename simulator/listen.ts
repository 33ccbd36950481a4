import type { FastifyInstance } from 'fastify';

/**
 * Listens on `host:port` and answers the base URL (`http://host:port`, an IPv6 host in brackets);
 * closes the app and throws "<what> did not bind a TCP port" when it is not on a TCP port.
 */
export async function listenForUrl(app: FastifyInstance, host: string, port: number, what: string): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new Error(`${what} did not bind a TCP port`);
  }
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}
