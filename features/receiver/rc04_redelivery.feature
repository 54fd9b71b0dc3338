@RC-04 @must @long
Feature: RC-04 Acknowledges a redelivery of the same transcript_id
  AssemblyAI retries after a timeout or an error (D-4) even when the
  receiver processed the first attempt, so the same transcript_id arrives
  again one retry interval later.

  Scenario: A redelivery one retry interval later is acknowledged with a 2xx
    When AssemblyAI delivers a "completed" transcript notification
    And AssemblyAI delivers the same notification again after the retry interval
    Then every delivery is acknowledged with a 2xx within the deadline
