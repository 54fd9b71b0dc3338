@RC-01 @must
Feature: RC-01 Acknowledges a completed notification
  AssemblyAI waits 10 s for a 2xx (D-3) and otherwise retries, up to 10
  attempts in total (D-4); after the last the notification is lost (D-6).

  Scenario: A completed notification is acknowledged with a 2xx within the deadline
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver acknowledges it with a 2xx within the deadline
