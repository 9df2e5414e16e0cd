/** The customers module's SQL: the only code that reads or writes the customers and service_locations tables. */
import type { Database } from '../../db/client.ts'
import type { Customer, CustomerDetail, ServiceLocation } from '../../dashboard/shared/contract.ts'
import { ApiError } from '../../dashboard/server/http.ts'

export interface NewCustomer {
  name: string
}

export interface NewLocation {
  name: string
  address: string
  latitude: number
  longitude: number
}

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

export async function createCustomer(db: Database, input: NewCustomer): Promise<Customer> {
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

export async function createLocation(db: Database, customerId: number, input: NewLocation): Promise<ServiceLocation> {
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
