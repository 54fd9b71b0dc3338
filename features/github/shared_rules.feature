Feature: Rules every webhook receiver shares
  The shared requirements, checked with the provider's signed events: a
  3xx is a failure (GH-4: only a 2xx is success), a malformed body gets a
  4xx, a burst of events is acknowledged in full, deliveries are POST
  (GH-6).

  @RC-12 @must
  Scenario: An event is not answered with a redirect
    When the provider delivers an event
    Then the receiver does not answer with a 3xx

  @RC-08 @must
  Scenario Outline: A signed delivery with <body> gets no 5xx and no timeout
    When a delivery with <body> arrives
    Then the receiver neither fails with a 5xx nor times out

    Examples:
      | body          |
      | invalid JSON  |
      | an empty body |

  @RC-11 @must @serial
  Scenario: A burst of concurrent events is acknowledged in full
    When the provider delivers a burst of concurrent events
    Then every delivery is acknowledged with a 2xx within the deadline

  @RC-13 @should
  Scenario Outline: A <method> request is refused with a 4xx
    When a <method> request arrives at the webhook URL
    Then the receiver refuses it with a 4xx

    Examples:
      | method |
      | GET    |
      | PUT    |
      | DELETE |
