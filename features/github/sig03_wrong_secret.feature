@SIG-03 @must @signed
Feature: SIG-03 Refuses a signature made with another secret
  Only the webhook's secret makes a valid signature (GH-1, GH-2).

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: An event signed with a wrong secret is refused with a 4xx
    When a signed event arrives signed with a wrong secret
    Then the receiver refuses it with a 4xx
