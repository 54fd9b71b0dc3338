@SIG-02 @must @signed
Feature: SIG-02 Refuses a body changed after signing
  The signature covers the raw body (ST-1): one changed byte and it no
  longer verifies. A receiver that skips the check processes forgeries.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: A body changed by one byte is refused with a 4xx
    When a signed event arrives with its body changed by one byte after signing
    Then the receiver refuses it with a 4xx
