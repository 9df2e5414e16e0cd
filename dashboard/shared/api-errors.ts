/**
 * Every error code the API answers (`{ error: { code, message } }`) with its HTTP status, in one table the
 * server and the web app share: the server's `ApiError` takes a code and answers its status, and the web
 * app can only test for codes the server sends. The socket's `watch` acknowledgement and its refusals
 * use the same codes.
 */
export const API_ERRORS = {
  BAD_REQUEST: 400,
  BAD_JSON: 400,
  BAD_RANGE: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CROSS_ORIGIN: 403,
  /** No such API route. */
  NOT_FOUND: 404,
  ALERT_NOT_FOUND: 404,
  CUSTOMER_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  RULE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  VEHICLE_NOT_FOUND: 404,
  CANNOT_DEACTIVATE_SELF: 409,
  DEVICE_TAKEN: 409,
  EMAIL_TAKEN: 409,
  GROUP_NAME_TAKEN: 409,
  LICENSE_LIMIT: 409,
  OWN_ACCESS: 409,
  TOO_MANY_WATCHES: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  THRESHOLD_NOT_APPLICABLE: 422,
  UNKNOWN_GROUP: 422,
  UNKNOWN_USER: 422,
  UNKNOWN_VEHICLE: 422,
  TOO_MANY_ATTEMPTS: 429,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
} as const

export type ApiErrorCode = keyof typeof API_ERRORS
