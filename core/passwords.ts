/** The shortest password the server accepts (its policy also refuses common ones); the users form checks it before sending. */
export const MIN_PASSWORD_LENGTH = 10
