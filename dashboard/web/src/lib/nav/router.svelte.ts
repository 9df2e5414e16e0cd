/** The current hash route as reactive state; the login page shows whenever nobody is signed in. */
import { parseRoute, type Route } from './route.ts'

export class Router {
  /** Null when the hash names no page: the shell shows the user's landing page. */
  route = $state<Route | null>(parseRoute(location.hash))

  constructor() {
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash)
    })
  }

  go(href: string): void {
    location.hash = href
  }
}
