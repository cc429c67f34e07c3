// Ports for servers a test starts itself.
import { createServer, type AddressInfo } from 'node:net';

/** A TCP port nothing listens on right now (the kernel's pick for port 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
