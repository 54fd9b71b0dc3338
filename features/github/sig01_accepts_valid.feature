@SIG-01 @must @signed
Feature: SIG-01 Accepts a correctly signed event
  Every delivery carries X-Hub-Signature-256: sha256=<hex HMAC of the
  body> keyed with the webhook's secret (GH-1, GH-2). A new webhook's
  first delivery is a ping (GH-5); most after it are events such as push
  (GH-8). GitHub never redelivers on its own (GH-4): an event refused or
  answered after 10 s is lost.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: A correctly signed event is acknowledged with a 2xx within the deadline
    When the provider delivers an event
    Then the receiver acknowledges it with a 2xx within the deadline

  Scenario: The ping a new webhook receives first is acknowledged with a 2xx within the deadline
    When the provider delivers the event a new endpoint receives first
    Then the receiver acknowledges it with a 2xx within the deadline
