@RC-02 @must
Feature: RC-02 Acknowledges an error notification
  A transcript that failed is notified with status "error" (D-2). It is a
  valid notification and must be acknowledged like a completed one.

  Scenario: An error notification is acknowledged with a 2xx within the deadline
    When AssemblyAI delivers an "error" transcript notification
    Then the receiver acknowledges it with a 2xx within the deadline
