@RC-16 @must @api @isolated
Feature: RC-16 A failing transcript fetch never loses the notification
  While AssemblyAI's API answers 500 or 429, a receiver must not answer a
  4xx: that ends the delivery (D-5, P-6) and the notification is lost. A 2xx
  with its own retry of the fetch, or a 5xx that asks AssemblyAI to
  redeliver (D-4), are both fine; once the API recovers, the transcript is
  fetched. Runs alone, in the isolated phase. Needs --api.

  Background:
    Given the run is configured with AssemblyAI's API (otherwise not applicable)

  Scenario: The transcript is fetched once the API recovers from 500s
    Given AssemblyAI's API answers the first 2 fetches of the transcript with 500, then recovers
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver never answers it with a 4xx
    And the receiver fetches the transcript successfully once AssemblyAI's API recovers

  Scenario: The transcript is fetched once the API stops rate limiting with 429
    Given AssemblyAI's API answers the first 2 fetches of the transcript with 429, then recovers
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver never answers it with a 4xx
    And the receiver fetches the transcript successfully once AssemblyAI's API recovers
