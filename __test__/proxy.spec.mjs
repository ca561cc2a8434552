// HTTPS_PROXY is honoured for Entra ID (through a real CONNECT proxy on loopback) and
// never used for IMDS. Its own file: proxy variables are process-wide.
import test from 'ava'
import http from 'node:http'
import net from 'node:net'
import { secretCredential, startEmulator, uniqueScope } from './helpers/emulator.mjs'
import { azid } from './helpers/emulator.mjs'

function startProxy() {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    res.writeHead(502).end()
  })
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`)
    const [host, port] = req.url.split(':')
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` })))
}

test('Entra ID requests go through HTTPS_PROXY; IMDS requests never do', async (t) => {
  const emu = await startEmulator()
  const proxy = await startProxy()
  process.env.HTTPS_PROXY = proxy.url
  process.env.HTTP_PROXY = proxy.url
  try {
    const token = await secretCredential(emu).getToken(uniqueScope('proxy'))
    t.truthy(token.token)
    const authority = new URL(emu.authorityHost).host
    t.deepEqual(proxy.seen, [`CONNECT ${authority}`])
    await new azid.ManagedIdentityCredential().getToken(uniqueScope('proxy-mi'))
    t.deepEqual(proxy.seen, [`CONNECT ${authority}`], 'IMDS was reached directly')
    t.is(emu.requestCount('imds'), 1)
  } finally {
    delete process.env.HTTPS_PROXY
    delete process.env.HTTP_PROXY
    proxy.server.close()
    await emu.stop()
  }
})
