import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

const repoRoot = fileURLToPath(new URL('.', import.meta.url))
const dashboardServer = 'http://127.0.0.1:8080'

export default defineConfig({
  root: `${repoRoot}dashboard/web`,
  plugins: [
    svelte({
      configFile: false,
      // Our components are runes-only; packages keep whatever mode they were written in.
      dynamicCompileOptions: ({ filename }) => (filename.includes('/node_modules/') ? undefined : { runes: true }),
    }),
  ],
  build: {
    outDir: `${repoRoot}dist/web`,
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': dashboardServer,
      '/socket.io': { target: dashboardServer, ws: true },
    },
  },
  // Vitest reads this file too: look for tests across the whole repository, not only in the web root.
  test: {
    root: repoRoot,
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'data/**'],
    testTimeout: 20_000,
    // Hooks start whole systems (a database, migrations, every listener): on a busy machine that takes
    // far longer than vitest's 10 s default.
    hookTimeout: 180_000,
    // A test that asserts nothing proves nothing.
    expect: { requireAssertions: true },
  },
})
