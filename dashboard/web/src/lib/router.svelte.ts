/** A tiny hash router for the signed-in pages (`#/map`); the login page shows whenever nobody is signed in. */

export const PAGES = ['map'] as const
export type Page = (typeof PAGES)[number]

const DEFAULT_PAGE: Page = 'map'

export class Router {
  page = $state<Page>(pageFromHash(location.hash))

  constructor() {
    window.addEventListener('hashchange', () => {
      this.page = pageFromHash(location.hash)
    })
  }
}

export function hrefFor(page: Page): string {
  return `#/${page}`
}

function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '')
  return PAGES.find((page) => page === name) ?? DEFAULT_PAGE
}
