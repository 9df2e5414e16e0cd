import fs from 'node:fs'
import path from 'node:path'
import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial'
import { writeSecurityHeaders } from './http.ts'
import type { WebSecurity } from './web-security.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon', '.woff2': 'font/woff2',
}

interface Asset {
  body: Buffer
  type: string
  immutable: boolean
}

/** Serves the built Svelte app from memory; unknown paths get index.html so client routes survive a reload. */
export function serveStatic(app: TemplatedApp, root: string, security: WebSecurity): void {
  const assets = loadAssets(root)
  const index = assets.get('/index.html') ?? {
    body: Buffer.from('<!doctype html><p>The dashboard is not built. Run <code>npm run build:web</code>.</p>'),
    type: TYPES['.html']!,
    immutable: false,
  }
  app.get('/*', (res, req) => {
    const asset = assets.get(req.getUrl()) ?? index
    res.cork(() => {
      writeSecurityHeaders(res, security)
      res.writeHeader('Content-Type', asset.type)
      res.writeHeader('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      res.end(asset.body)
    })
  })
}

function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  if (!fs.existsSync(root)) return assets
  for (const file of fs.readdirSync(root, { recursive: true, withFileTypes: false }) as string[]) {
    const full = path.join(root, file)
    if (!fs.statSync(full).isFile()) continue
    const url = '/' + file.split(path.sep).join('/')
    assets.set(url, {
      body: fs.readFileSync(full),
      type: TYPES[path.extname(file)] ?? 'application/octet-stream',
      immutable: url.startsWith('/assets/'),
    })
  }
  return assets
}
