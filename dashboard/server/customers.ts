import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { Customer, CustomerDetail, ServiceLocation } from '../shared/contract.ts'
import { ApiError } from './http.ts'
import { MULTI_LINE, MULTI_LINE_MESSAGE, ONE_LINE, ONE_LINE_MESSAGE } from './validation.ts'

export const newCustomerBody = z.strictObject({
  name: z.string().trim().min(1, 'a customer needs a name').max(200, 'a customer name has at most 200 characters').regex(ONE_LINE, ONE_LINE_MESSAGE),
})

export const newLocationBody = z.strictObject({
  // Accounting sync needs every service location named (seeds: QuickBooks refuses unnamed ones).
  name: z.string().trim().min(1, 'a service location needs a name').max(200, 'a location name has at most 200 characters').regex(ONE_LINE, ONE_LINE_MESSAGE),
  address: z.string().trim().max(500, 'an address has at most 500 characters').regex(MULTI_LINE, MULTI_LINE_MESSAGE).default(''),
  latitude: z.number().min(-90, 'latitude is between -90 and 90').max(90, 'latitude is between -90 and 90'),
  longitude: z.number().min(-180, 'longitude is between -180 and 180').max(180, 'longitude is between -180 and 180'),
})

interface CustomerRow {
  id: number
  name: string
  created_at: Date
}

interface LocationRow {
  id: number
  customer_id: number
  name: string
  address: string
  latitude: number
  longitude: number
}

const toCustomer = (row: CustomerRow): Customer => ({ id: row.id, name: row.name, createdAt: row.created_at.toISOString() })
const toLocation = (row: LocationRow): ServiceLocation => ({
  id: row.id,
  customerId: row.customer_id,
  name: row.name,
  address: row.address,
  latitude: row.latitude,
  longitude: row.longitude,
})

export async function listCustomers(db: Database): Promise<Customer[]> {
  const { rows } = await db.query<CustomerRow>('SELECT id, name, created_at FROM customers ORDER BY lower(name), id')
  return rows.map(toCustomer)
}

export async function createCustomer(db: Database, input: z.infer<typeof newCustomerBody>): Promise<Customer> {
  const { rows } = await db.query<CustomerRow>('INSERT INTO customers (name) VALUES ($1) RETURNING id, name, created_at', [input.name])
  return toCustomer(rows[0]!)
}

export async function getCustomer(db: Database, id: number): Promise<CustomerDetail> {
  const { rows } = await db.query<CustomerRow>('SELECT id, name, created_at FROM customers WHERE id = $1', [id])
  if (!rows[0]) throw customerNotFound(id)
  return { ...toCustomer(rows[0]), locations: await locationsOf(db, id) }
}

export async function listLocations(db: Database, customerId: number): Promise<ServiceLocation[]> {
  await getCustomerRow(db, customerId)
  return locationsOf(db, customerId)
}

export async function createLocation(db: Database, customerId: number, input: z.infer<typeof newLocationBody>): Promise<ServiceLocation> {
  await getCustomerRow(db, customerId)
  const { rows } = await db.query<LocationRow>(
    `INSERT INTO service_locations (customer_id, name, address, latitude, longitude) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, customer_id, name, address, latitude, longitude`,
    [customerId, input.name, input.address, input.latitude, input.longitude],
  )
  return toLocation(rows[0]!)
}

async function locationsOf(db: Database, customerId: number): Promise<ServiceLocation[]> {
  const { rows } = await db.query<LocationRow>(
    'SELECT id, customer_id, name, address, latitude, longitude FROM service_locations WHERE customer_id = $1 ORDER BY lower(name), id',
    [customerId],
  )
  return rows.map(toLocation)
}

async function getCustomerRow(db: Database, id: number): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM customers WHERE id = $1', [id])
  if (rows.length === 0) throw customerNotFound(id)
}

const customerNotFound = (id: number) => new ApiError('CUSTOMER_NOT_FOUND', `No customer with id ${id}`)
