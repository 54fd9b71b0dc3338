@SIG-04 @must @signed
Feature: SIG-04 Refuses a timestamp outside the tolerance
  The signed timestamp bounds a replay: the official libraries refuse one
  more than 5 minutes from now, in the past or in the future (SW-6).

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario Outline: A timestamp 10 minutes in the <direction> is refused with a 4xx
    When a signed event arrives with a timestamp 10 minutes in the <direction>
    Then the receiver refuses it with a 4xx

    Examples:
      | direction |
      | past      |
      | future    |
