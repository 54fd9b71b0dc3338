@SIG-05 @must @signed
Feature: SIG-05 Accepts any one valid signature of several
  During a secret rotation the header carries one signature per secret,
  space-separated; a receiver accepts when any one verifies (SW-5).

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: An event with several signatures, one valid, is acknowledged
    When a signed event arrives with several signatures, one of them valid
    Then the receiver acknowledges it with a 2xx within the deadline
