@SIG-01 @must @signed
Feature: SIG-01 Accepts a correctly signed event
  Every delivery carries webhook-id, webhook-timestamp and webhook-signature
  (SW-1), an HMAC of "id.timestamp.body" (SW-2, SW-3). A genuine event
  refused is an event lost; a 2xx within the deadline (SW-8) ends it.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: A correctly signed event is acknowledged with a 2xx within the deadline
    When the provider delivers an event
    Then the receiver acknowledges it with a 2xx within the deadline
