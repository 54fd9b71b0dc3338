@RC-05 @must
Feature: RC-05 Keeps working with metadata query parameters
  Query parameters the team put in webhook_url arrive unchanged (D-9).

  Scenario Outline: A webhook URL with <what> still gets a 2xx
    When AssemblyAI delivers a "completed" transcript notification to the webhook URL with the query "<query>"
    Then the receiver acknowledges it with a 2xx within the deadline

    Examples:
      | what                          | query                                  |
      | customer metadata             | customer_id=1234&order_id=5678         |
      | encoded and repeated values   | name=J%C3%BCrgen+M%C3%BCller&tag=a&tag=b |
