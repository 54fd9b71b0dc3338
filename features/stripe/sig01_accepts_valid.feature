@SIG-01 @must @signed
Feature: SIG-01 Accepts a correctly signed event
  Every delivery carries Stripe-Signature: t=<timestamp>,v1=<signature>,
  an HMAC of "t.body" keyed with the whsec_ secret as written (ST-1, ST-2).
  A genuine event refused is an event lost; a 2xx within the deadline
  (ST-7, ST-8) ends it.

  Background:
    Given the run signs its deliveries (otherwise not applicable)

  Scenario: A correctly signed event is acknowledged with a 2xx within the deadline
    When the provider delivers an event
    Then the receiver acknowledges it with a 2xx within the deadline
