/** The command ran but could not do what was asked (not found, refused): exit code 1, one line. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure'
}
