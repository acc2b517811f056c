/** `node floor-server/main.js <port>`: the floor server, until SIGTERM. */
import { createFloorServer } from './floor-server.js';

const port = Number(process.argv[2] ?? 0);
const server = createFloorServer();
server.listen(port, '127.0.0.1', () => process.stdout.write(`floor server listening on ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
