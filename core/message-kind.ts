/**
 * What kind of message a device sent, in its protocol's words, for installers reading its packets:
 * `type` is the protocol's own code for it ("0x12", "GTFRI", "0x8E"), `label` what they read
 * ("GT06 location", "+RESP:GTFRI", "Codec 8E"). A message too broken to tell says so in its label.
 */
export interface MessageKind {
  type: string
  label: string
}
