#!/usr/bin/env python3
"""CloudCore stand-in for the lab: listens on the given TCP ports, greets each connection with
"<name>:<port>\n" and then echoes whatever it receives (a WebSocket-like long-lived session)."""
import asyncio
import sys


async def main(name, ports):
    async def handle(reader, writer, port):
        try:
            writer.write(f"{name}:{port}\n".encode())
            await writer.drain()
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    servers = []
    for port in ports:
        servers.append(await asyncio.start_server(lambda r, w, p=port: handle(r, w, p), "0.0.0.0", port, backlog=1024))
    print(f"standin {name} listening on {ports}", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], [int(p) for p in sys.argv[2:]]))
