Feature: webhook_status_code as AssemblyAI reports it
  GET /v2/transcript/{id} shows the HTTP status AssemblyAI got from the
  receiver (D-10). Where attempts differ, it is the status of the last
  attempt that got an HTTP answer, and null when none did (P-5).

  @D-10 @P-5
  Scenario: The status of a rejected delivery
    Given a receiver that answers 404
    When a "completed" transcript notification is delivered
    Then webhook_status_code is 404

  @D-10 @P-5
  Scenario: Timeouts after an answer leave the last answered status
    Given a receiver that answers 503 once, then never answers
    When a "completed" transcript notification is delivered
    Then the delivery is "exhausted" after 10 attempts
    And webhook_status_code is 503

  @D-10 @P-5
  Scenario: No HTTP answer at all leaves webhook_status_code null
    Given a receiver that never answers
    When a "completed" transcript notification is delivered
    Then webhook_status_code is null
