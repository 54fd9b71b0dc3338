@SIG-06 @must @signed
Feature: SIG-06 Ignores signature versions it does not know
  A signature of another version is no match, neither a reason to refuse
  the valid one beside it nor a way in on its own (SW-5).

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: An unknown version beside a valid signature is ignored
    When a signed event arrives with an unknown signature version beside a valid one
    Then the receiver acknowledges it with a 2xx within the deadline

  Scenario: A valid MAC under an unknown version alone is refused
    When a signed event arrives with only an unknown signature version
    Then the receiver refuses it with a 4xx
