/** The customers module's API: each route validates its input, calls the module's queries and answers. */
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { ApiRoutes } from '../../dashboard/server/api.ts'
import { bodyOf, MULTI_LINE, MULTI_LINE_MESSAGE, ONE_LINE, ONE_LINE_MESSAGE, parseId } from '../../dashboard/server/validation.ts'
import { createCustomer, createLocation, getCustomer, listCustomers, listLocations } from './queries.ts'

const newCustomerBody = z.strictObject({
  name: z.string().trim().min(1, 'a customer needs a name').max(200, 'a customer name has at most 200 characters').regex(ONE_LINE, ONE_LINE_MESSAGE),
})

const newLocationBody = z.strictObject({
  // Accounting sync needs every service location named (QuickBooks refuses unnamed ones).
  name: z.string().trim().min(1, 'a service location needs a name').max(200, 'a location name has at most 200 characters').regex(ONE_LINE, ONE_LINE_MESSAGE),
  address: z.string().trim().max(500, 'an address has at most 500 characters').regex(MULTI_LINE, MULTI_LINE_MESSAGE).default(''),
  latitude: z.number().min(-90, 'latitude is between -90 and 90').max(90, 'latitude is between -90 and 90'),
  longitude: z.number().min(-180, 'longitude is between -180 and 180').max(180, 'longitude is between -180 and 180'),
})

/** The routes of the access table's Customers module (`API_ROUTES` in dashboard/server/access.ts). */
export function registerCustomerRoutes(routes: ApiRoutes, db: Database): void {
  routes.user('GET /api/customers', async () => ({ body: await listCustomers(db) }))
  routes.user('POST /api/customers', async ({ body }) => ({ status: 201, body: await createCustomer(db, bodyOf(newCustomerBody, body)) }))
  routes.user('GET /api/customers/:id', async ({ params }) => ({ body: await getCustomer(db, parseId(params.id)) }))
  routes.user('GET /api/customers/:id/locations', async ({ params }) => ({ body: await listLocations(db, parseId(params.id)) }))
  routes.user('POST /api/customers/:id/locations', async ({ params, body }) => {
    const id = parseId(params.id)
    return { status: 201, body: await createLocation(db, id, bodyOf(newLocationBody, body)) }
  })
}
