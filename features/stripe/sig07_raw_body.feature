@SIG-07 @must @signed
Feature: SIG-07 Verifies the raw body, not a re-serialization
  The signature is of the bytes as sent (ST-1), and Stripe sends its
  events pretty-printed (ST-9). A body parsed and encoded again
  (express.json(), a framework's JSON middleware, a proxy) differs by a
  space, the order of keys, an escape or a number's digits, and fails to
  verify.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario Outline: An event whose body has <bytes> verifies
    When the provider delivers an event whose body has <bytes>
    Then the receiver acknowledges it with a 2xx within the deadline

    Examples:
      | bytes                     |
      | extra whitespace          |
      | keys out of order         |
      | an escaped unicode letter |
      | an integer beyond 2^53    |
