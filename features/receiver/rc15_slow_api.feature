@RC-15 @must @api @isolated
Feature: RC-15 Acknowledges within the deadline while AssemblyAI's API is slow
  AssemblyAI's guide tells receivers to fetch GET /v2/transcript/{id} after
  a notification. A receiver that fetches before answering makes its answer
  depend on AssemblyAI's API: when the API is slow, it misses the 10 s
  deadline (D-3), and so does every retry (D-4). A receiver that never
  fetches makes it not applicable (RC-17 is its finding). Runs alone, in
  the isolated phase, so that a stall it provokes reaches no other
  scenario. Needs --api.

  Background:
    Given the run is configured with AssemblyAI's API (otherwise not applicable)

  Scenario: A notification is acknowledged in time while the transcript fetch takes 15 s
    Given AssemblyAI's API answers each fetch of the transcript only after 15 seconds
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver acknowledges it with a 2xx within the deadline
    And the receiver fetched the transcript from the slow API (otherwise not applicable)
