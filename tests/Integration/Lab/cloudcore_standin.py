#!/usr/bin/env python3
"""CloudCore stand-in for the lab: listens on the given TCP ports, greets each connection with
"<name>:<port>\n" and then echoes whatever it receives (a WebSocket-like long-lived session). A port written
"u10001" is UDP (the QUIC hub): each datagram is answered with "<name>:<port>:" and the datagram."""
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

    class Datagrams(asyncio.DatagramProtocol):
        def __init__(self, port):
            self.port = port

        def connection_made(self, transport):
            self.transport = transport

        def datagram_received(self, data, addr):
            self.transport.sendto(f"{name}:{self.port}:".encode() + data, addr)

    loop = asyncio.get_running_loop()
    servers = []
    for port in ports:
        if port.startswith("u"):
            await loop.create_datagram_endpoint(lambda p=int(port[1:]): Datagrams(p), local_addr=("0.0.0.0", int(port[1:])))
        else:
            servers.append(await asyncio.start_server(lambda r, w, p=int(port): handle(r, w, p), "0.0.0.0", int(port), backlog=1024))
    print(f"standin {name} listening on {ports}", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
