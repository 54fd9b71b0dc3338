@SIG-08 @should @signed @serial
Feature: SIG-08 Compares signatures in constant time
  GitHub asks for a constant-time comparison (GH-2). An early-exit
  comparison takes longer to refuse a forgery the more of its leading
  bytes are right, which lets an attacker find a valid signature byte by
  byte. Runs alone, so no other scenario adds noise to the times.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: The time to refuse a forged signature does not depend on its leading bytes
    When signed events arrive whose signature is wrong in its first byte or only in its last, 50 times each
    Then the time to refuse does not depend on how many leading bytes of the signature are right
